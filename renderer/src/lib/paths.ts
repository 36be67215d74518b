/** A file's name, from its full path (either separator). */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The folder a file is in, from its full path. */
export function folderOf(path: string): string {
  return path.replace(/[\\/][^\\/]*$/, '') || '/';
}
