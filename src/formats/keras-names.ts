/** Keras's automatic layer names: a leaf both the layer plan and the graph reader use (no circle between them). */

/** keras.src.utils.naming.to_snake_case. */
export function kerasSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
