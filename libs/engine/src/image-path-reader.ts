/** Reads one path of an image from the engine's tar archive of it: the first entry, its header and up to 1 MiB of content. */
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { permissionString } from './container-output';
import { PathInImage } from './container-types';

/** How much of a file's content is kept. */
export const CONTENT_LIMIT = 1 << 20;

/** The first entry of a tar stream (the path asked for): its header, and the start of its content. */
export async function firstEntry(archive: Readable): Promise<PathInImage | undefined> {
  const parser = extract();
  return new Promise<PathInImage | undefined>((resolve, reject) => {
    let done = false;
    parser.on('entry', (header, stream, next) => {
      if (done) {
        stream.resume();
        next();
        return;
      }
      done = true;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        if (size < CONTENT_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        resolve({
          type: header.type ?? 'file',
          permissions: permissionString(header.type ?? 'file', header.mode ?? 0),
          uid: header.uid ?? 0,
          gid: header.gid ?? 0,
          content: header.type === 'file' ? Buffer.concat(chunks).subarray(0, CONTENT_LIMIT) : undefined,
        });
        archive.destroy();
      });
    });
    parser.on('finish', () => resolve(undefined));
    parser.on('error', (error) => (done ? resolve(undefined) : reject(error)));
    archive.on('error', (error) => (done ? undefined : reject(error)));
    archive.pipe(parser);
  });
}
