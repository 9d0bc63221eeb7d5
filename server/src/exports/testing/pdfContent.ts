/**
 * Reads the drawing commands of an uncompressed PDF (pdfkit with
 * `compress: false`), page by page, so a test can measure what is drawn: the
 * stroked paths with their colour and line width, in pdfkit's page space
 * (points from the top-left corner; pdfkit flips the y axis once per page).
 */

export interface StrokedPath {
  /** Stroke colour as r,g,b in 0–1, rounded to 3 decimals. */
  colour: string;
  lineWidth: number;
  /** Subpaths: each a list of points [x, y]. */
  subpaths: [number, number][][];
}

export interface PdfPageContent {
  /** [width, height] in points. */
  mediaBox: [number, number];
  paths: StrokedPath[];
}

function objectBody(pdf: string, id: number): string {
  const start = pdf.indexOf(`\n${id} 0 obj\n`);
  if (start < 0) throw new Error(`object ${id} not found`);
  const end = pdf.indexOf('\nendobj', start);
  return pdf.slice(start, end);
}

export function pdfPages(bytes: Buffer): PdfPageContent[] {
  // latin1 keeps every byte as one character, so stream lengths and offsets hold.
  const pdf = bytes.toString('latin1');
  const rootRef = /\/Root (\d+) 0 R/.exec(pdf);
  if (!rootRef) throw new Error('no /Root');
  const pagesRef = /\/Pages (\d+) 0 R/.exec(objectBody(pdf, Number(rootRef[1])));
  if (!pagesRef) throw new Error('no /Pages');
  const kids = /\/Kids \[([^\]]*)\]/.exec(objectBody(pdf, Number(pagesRef[1])));
  if (!kids) throw new Error('no /Kids');
  const pageIds = [...kids[1]!.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  return pageIds.map((id) => {
    const page = objectBody(pdf, id);
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(page);
    const contents = /\/Contents (\d+) 0 R/.exec(page);
    if (!box || !contents) throw new Error(`page object ${id} without MediaBox or Contents`);
    const body = objectBody(pdf, Number(contents[1]));
    if (body.includes('/Filter')) throw new Error('compressed content stream: make the PDF with compress: false');
    const stream = body.slice(body.indexOf('stream\n') + 'stream\n'.length, body.lastIndexOf('endstream'));
    return { mediaBox: [Number(box[1]), Number(box[2])], paths: strokedPaths(stream) };
  });
}

/** The content stream's stroked paths, in the order they were painted. */
function strokedPaths(stream: string): StrokedPath[] {
  const paths: StrokedPath[] = [];
  let subpaths: [number, number][][] = [];
  let colour = '0,0,0';
  let lineWidth = 1;
  for (const line of stream.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const op = parts.at(-1);
    const nums = parts.slice(0, -1).map(Number);
    switch (op) {
      case 'm':
        subpaths.push([[nums[0]!, nums[1]!]]);
        break;
      case 'l':
        subpaths.at(-1)?.push([nums[0]!, nums[1]!]);
        break;
      case 'w':
        lineWidth = nums[0]!;
        break;
      case 'SCN':
      case 'RG':
        if (nums.length === 3) colour = nums.map((n) => n.toFixed(3)).join(',');
        break;
      case 'S':
        paths.push({ colour, lineWidth, subpaths });
        subpaths = [];
        break;
      case 'n':
      case 'f':
      case 'B':
        subpaths = [];
        break;
    }
  }
  return paths;
}

/** "#e07b7b" → "0.878,0.482,0.482", the form StrokedPath.colour has. */
export function rgb(hex: string): string {
  return [1, 3, 5].map((i) => (parseInt(hex.slice(i, i + 2), 16) / 255).toFixed(3)).join(',');
}
