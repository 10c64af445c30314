/**
 * Reads Stryker's JSON report (test-results/mutation/mutation.json) and prints the mutation score
 * of each mutated file, then exits non-zero if any file is under the bar (80%): one weak file must
 * not hide behind strong ones in the total. `--survivors` also lists each surviving mutant.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const BAR = 80;
const repoRoot = path.resolve(__dirname, '..', '..');
const reportPath = path.join(repoRoot, 'test-results', 'mutation', 'mutation.json');

interface Mutant {
  mutatorName: string;
  status: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

/** Stryker's score: detected (killed, timed out) over valid mutants (all but compile and runtime errors, ignored). */
function score(mutants: Mutant[]): { detected: number; valid: number; percent: number } {
  const valid = mutants.filter((m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status));
  const detected = valid.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
  return { detected, valid: valid.length, percent: valid.length ? (100 * detected) / valid.length : 100 };
}

function main(): number {
  if (!fs.existsSync(reportPath)) {
    console.error(`No mutation report at ${reportPath}: run \`npm run mutation\` first.`);
    return 1;
  }
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as Report;
  const showSurvivors = process.argv.includes('--survivors');
  let weak = 0;
  console.log('\nMutation score per file (bar: 80%)');
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const s = score(mutants);
    const under = s.percent < BAR;
    weak += under ? 1 : 0;
    console.log(`  ${s.percent.toFixed(1).padStart(5)}%  ${String(s.detected).padStart(4)}/${String(s.valid).padEnd(4)} ${file}${under ? '  <- under the bar' : ''}`);
    if (showSurvivors) {
      for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
        console.log(`      ${m.status} ${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '').slice(0, 100)}`);
      }
    }
  }
  const all = score(Object.values(report.files).flatMap((f) => f.mutants));
  console.log(`  ${all.percent.toFixed(1).padStart(5)}%  ${all.detected}/${all.valid} in all`);
  if (weak) console.error(`${weak} file(s) under ${BAR}%`);
  return weak ? 1 : 0;
}

process.exit(main());
