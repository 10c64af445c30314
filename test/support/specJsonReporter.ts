/**
 * A mocha reporter that is two: `spec` for whoever watches the run, and mocha's `json` (written
 * to the file given by `--reporter-option output=<file>`) for test/runAll.ts to count. Mocha
 * accepts only one --reporter, and running the suite twice would double its time.
 */
import * as Mocha from 'mocha';

class SpecAndJsonReporter {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    new Mocha.reporters.Spec(runner, options);
    new Mocha.reporters.JSON(runner, options);
  }
}

export = SpecAndJsonReporter;
