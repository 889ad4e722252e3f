/**
 * Context building lives in the SDK runtime (agents/sdk/runtime.ts), shared by
 * the engine, the worker threads, the CLI tool and agent tests.
 */
export { agentLogger, buildContext, createFileAccess, memoryCache, type ContextInput } from '../../agents/sdk/runtime.ts';
