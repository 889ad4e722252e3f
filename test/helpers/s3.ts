/**
 * A real S3-compatible server (s3rver) on loopback for the S3 tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { S3Client } from '@aws-sdk/client-s3';

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  env(bucket: string, prefix?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function startTestS3(buckets: string[]): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'sidereal-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const addr = (await server.run()) as { address: string; port: number };
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    env: (bucket, prefix = '') => ({
      SIDEREAL_S3_BUCKET: bucket,
      SIDEREAL_S3_PREFIX: prefix,
      SIDEREAL_S3_ENDPOINT: endpoint,
      SIDEREAL_S3_ACCESS_KEY_ID: 'S3RVER',
      SIDEREAL_S3_SECRET_ACCESS_KEY: 'S3RVER',
      SIDEREAL_S3_POLL_SECONDS: '1',
    }),
    async close() {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
