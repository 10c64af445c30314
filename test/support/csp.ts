/** Reads a Content-Security-Policy back into its directives, for tests that check it directive by directive. */

/**
 * CSP 3 section 2.2.1: directives split on `;`, each a name then a source list split on
 * whitespace. A repeated directive is an error here: browsers ignore the second one silently.
 */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const text of policy.split(';')) {
    const [name, ...sources] = text.trim().split(/\s+/);
    if (!name) continue;
    if (directives.has(name.toLowerCase())) throw new Error(`directive ${name} appears twice (browsers ignore the second)`);
    directives.set(name.toLowerCase(), sources);
  }
  return directives;
}
