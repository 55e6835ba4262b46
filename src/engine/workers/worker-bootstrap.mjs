// Entry of every worker thread started from TypeScript sources: registers tsx's loader in
// this thread (Node 20 does not carry --import hooks into workers), then runs the real module.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
