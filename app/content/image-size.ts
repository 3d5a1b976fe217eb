// Intrinsic size of an image beside a reading, so <img> gets width/height and the page does not
// jump while it loads on a slow phone connection. Reads only the header; unknown formats give null.

export type ImageSize = { width: number; height: number };

export function imageSize(bytes: Buffer, ext: string): ImageSize | null {
  switch (ext.toLowerCase()) {
    case ".png":
      // IHDR follows the 8-byte signature: length, "IHDR", width, height (big-endian).
      if (bytes.length >= 24 && bytes.toString("latin1", 12, 16) === "IHDR") {
        return positive(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
      }
      return null;
    case ".gif":
      if (bytes.length >= 10 && bytes.toString("latin1", 0, 3) === "GIF") {
        return positive(bytes.readUInt16LE(6), bytes.readUInt16LE(8));
      }
      return null;
    case ".jpg":
    case ".jpeg":
      return jpegSize(bytes);
    case ".svg":
      return svgSize(bytes.toString("utf8"));
    default:
      return null;
  }
}

function positive(width: number, height: number): ImageSize | null {
  return width > 0 && height > 0 ? { width, height } : null;
}

function jpegSize(bytes: Buffer): ImageSize | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    // Start-of-frame markers carry the size; C4 (DHT), C8 and CC (DAC) are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return positive(bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    }
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return null;
}

function svgSize(text: string): ImageSize | null {
  const tag = /<svg\b[^>]*>/i.exec(text)?.[0];
  if (!tag) return null;
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i").exec(tag)?.[1];
  const length = (value: string | undefined) => {
    const match = value && /^\s*([\d.]+)\s*(px)?\s*$/.exec(value);
    return match ? Math.round(Number(match[1])) : NaN;
  };
  const width = length(attr("width"));
  const height = length(attr("height"));
  if (width > 0 && height > 0) return { width, height };
  const viewBox = attr("viewBox")?.trim().split(/[\s,]+/).map(Number);
  if (viewBox && viewBox.length === 4 && viewBox[2] > 0 && viewBox[3] > 0) {
    return { width: Math.round(viewBox[2]), height: Math.round(viewBox[3]) };
  }
  return null;
}
