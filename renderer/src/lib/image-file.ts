/**
 * An image file the page was given (dropped, or picked) as a JPEG of at most `side` px, base64: what
 * `similar.findImage` takes. The browser decodes it upright (EXIF orientation applied); a format it cannot read
 * (HEIC, RAW in most browsers) rejects with a sentence.
 */
export async function imageFileAsJpeg(file: File, side = 1024): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(
      `${file.name} is not an image this window can read: give its path instead, or scan its folder into the library.`,
    );
  }
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw new Error(`${file.name} could not be prepared for the search.`);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
