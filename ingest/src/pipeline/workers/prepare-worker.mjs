// Worker-thread entry: the service runs its TypeScript sources directly (ingest/bin/earshot.js), and a
// worker thread starts without the parent's module hooks, so it registers tsx itself before loading them.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
