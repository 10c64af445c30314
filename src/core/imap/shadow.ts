/**
 * How this code reaches into imapflow for the span of one command: an own property shadows a method
 * of one of its objects, and is taken away again afterwards.
 */

/**
 * Shadows `key` of `target` with `replacement` and returns the function that puts back what was
 * there (the prototype's method, or the property shadowed before), if the replacement is still in
 * place: one shadowing it in turn is left alone.
 */
export function shadow<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(target, key);
  const before = target[key];
  target[key] = replacement;
  return () => {
    if (target[key] !== replacement) return;
    if (hadOwn) target[key] = before;
    else delete target[key];
  };
}
