import { crc32, deflateSync } from 'node:zlib';

/** OB 3.0 baking (NOTES.md §7): one iTXt chunk `openbadgecredential`, uncompressed, or an SVG element. OB 2.0 bakes
 * the same way under the keyword `openbadges`. */
const KEYWORD = 'openbadgecredential';
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A plain round badge image (PNG, 128×128): blue ring on white. */
export function badgePng(size = 128): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const rows: Buffer[] = [];
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c) / c;
      const px = r > 0.95 ? [0, 0, 0, 0] : r > 0.78 ? [0x1f, 0x6f, 0xeb, 255] : [255, 255, 255, 255];
      row.set(px, 1 + x * 4);
    }
    rows.push(row);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

interface Chunk {
  type: string;
  data: Buffer;
}
function chunks(png: Buffer): Chunk[] {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('Not a PNG');
  const out: Chunk[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** The PNG with the credential (JSON, or a compact JWS) in an iTXt chunk after IHDR; an earlier one is replaced. */
export function bakePng(png: Buffer, credential: string, keyword = KEYWORD): Buffer {
  const text = Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from(credential, 'utf8')]);
  const kept = chunks(png).filter((c) => !(c.type === 'iTXt' && c.data.toString('latin1', 0, keyword.length + 1) === `${keyword}\0`));
  return Buffer.concat([SIGNATURE, ...kept.flatMap((c) => (c.type === 'IHDR' ? [chunk(c.type, c.data), chunk('iTXt', text)] : [chunk(c.type, c.data)]))]);
}

/**
 * The first baked credential of a PNG: the text of its `keyword` iTXt chunk, or by default of its
 * `openbadgecredential` chunk, else its OB 2.0 `openbadges` one (NOTES.md §9). Undefined if none.
 */
export function extractPng(png: Buffer, keyword?: string): string | undefined {
  const keywords = keyword ? [keyword] : [KEYWORD, 'openbadges'];
  const found = new Map<string, string>();
  for (const c of chunks(png)) {
    const k = c.type === 'iTXt' ? keywords.find((w) => c.data.toString('latin1', 0, w.length + 1) === `${w}\0`) : undefined;
    if (!k || found.has(k)) continue;
    // keyword\0, compression flag, method, language\0, translated keyword\0, text
    let at = k.length + 3;
    at = c.data.indexOf(0, at) + 1;
    at = c.data.indexOf(0, at) + 1;
    found.set(k, c.data.subarray(at).toString('utf8'));
  }
  return keywords.map((k) => found.get(k)).find((t) => t !== undefined);
}

const unescapeXml = (s: string) => s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
  e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e.toLowerCase()]!);

/**
 * The baked credential of an SVG: `<openbadges:credential>` (OB 3.0) or `<openbadges:assertion>` (OB 2.0), its JSON
 * in CDATA or text, or a compact JWS in its `verify` attribute.
 */
export function extractSvg(svg: string): string | undefined {
  const m = /<openbadges:(credential|assertion)\b([^>]*?)(\/>|>([\s\S]*?)<\/openbadges:\1>)/.exec(svg);
  if (!m) return undefined;
  const verify = /\bverify\s*=\s*("([^"]*)"|'([^']*)')/.exec(m[2] ?? '');
  const body = (m[4] ?? '').replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, t: string) => t.replaceAll('&', '&amp;').replaceAll('<', '&lt;'));
  const text = unescapeXml(body).trim();
  if (text) return text;
  return verify ? unescapeXml(verify[2] ?? verify[3] ?? '') : undefined;
}

/** The credential baked into a PNG or an SVG (by its first bytes), if any. */
export function extractBaked(image: Buffer): string | undefined {
  if (image.subarray(0, 8).equals(SIGNATURE)) return extractPng(image);
  const text = image.toString('utf8');
  return /<svg\b/.test(text) ? extractSvg(text) : undefined;
}

/** An SVG with the credential in `<openbadges:credential>` right after the opening `<svg>` tag. */
export function bakeSvg(svg: string, credential: string): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  if (!open) throw new Error('Not an SVG');
  const tag = open[0].includes('xmlns:openbadges') ? open[0] : open[0].replace(/^<svg\b/, '<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"');
  const element = `<openbadges:credential><![CDATA[${credential.replaceAll(']]>', ']]]]><![CDATA[>')}]]></openbadges:credential>`;
  return svg.slice(0, open.index) + tag + element + svg.slice(open.index + open[0].length);
}
