#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK, docker-compose.yml): GET
// /health on this container's own web port, over HTTPS when Sidereal serves
// TLS itself (SIDEREAL_TLS_CERT). Loopback only, so the certificate is not
// checked. Exit 0 when healthy, 1 otherwise. No curl in the slim image.
import http from 'node:http';
import https from 'node:https';

const tls = Boolean(process.env.SIDEREAL_TLS_CERT);
const port = Number(process.env.PORT || 3000);
const bind = process.env.HOST;
const host = !bind || bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
const req = (tls ? https : http).get({ host, port, path: '/health', timeout: 4000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  process.stderr.write(`health check: ${err.message}\n`);
  process.exit(1);
});
