/**
 * B2's pipeline pass in a process of its own (see pipeline-bench.ts `isolated`): with the
 * agent's heap settings, nothing else in the process, the result as JSON on stdout.
 *   node pipeline-child.js <capture.ndjson> <dataDir> <n> [retention]
 */
import { tuneHeapForCapture } from '../src/heap-tuning.js';
import { runPipelinePass } from './pipeline-bench.js';

tuneHeapForCapture();
const [file, dataDir, n, retention] = process.argv.slice(2);
if (!file || !dataDir || !n) {
  process.stderr.write('usage: pipeline-child.js <capture.ndjson> <dataDir> <n> [retention]\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await runPipelinePass(file, dataDir, Number(n), retention ? Number(retention) : undefined)) + '\n');
