import { ensureBuilt } from './built.js';

/*
 * Tests run the compiled CLI, workers and bench from dist/. Built here, once, before any test file
 * starts: built by the first test file that needed it, dist/ was rewritten file by file while
 * another file's child process imported from it, and failed on a module half written.
 */
export default function setup(): void {
  ensureBuilt();
}
