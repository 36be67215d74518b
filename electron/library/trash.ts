/**
 * Moving files to the OS trash: never a hard delete. The Electron app passes `shell.trashItem`; the CLI and
 * browser mode use the `trash` package (freedesktop trash on Linux, the Finder's on macOS, the Recycle Bin on
 * Windows).
 */
export type TrashFile = (path: string) => Promise<void>;

export const trashWithPackage: TrashFile = async (file) => {
  const { default: trash } = await import('trash');
  await trash([file], { glob: false });
};
