/** How the views show files: names, folders and sizes. */

/** A file's name, from its full path (either separator). */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The folder a file is in, from its full path. */
export function folderOf(path: string): string {
  return path.replace(/[\\/][^\\/]*$/, '') || '/';
}

/** A file size as a person reads it: "42 KB", "3.1 MB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
