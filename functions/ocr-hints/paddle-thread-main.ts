/**
 * PaddleOCR inside a worker thread: reads the images the main thread posts, one at a time, and posts back the lines
 * or the error. Started by `PaddleOcr` (option `thread`) through paddle-thread.cjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PaddleOcr, type PaddleOcrOptions } from './paddle-ocr';

const ocr = new PaddleOcr({ ...(workerData as PaddleOcrOptions), thread: false });

parentPort?.on('message', (msg: { id: number; image: Uint8Array }) => {
  ocr.readLines(Buffer.from(msg.image.buffer, msg.image.byteOffset, msg.image.byteLength)).then(
    (lines) => parentPort?.postMessage({ id: msg.id, lines }),
    (e: Error) => parentPort?.postMessage({ id: msg.id, error: e.stack ?? String(e) }),
  );
});
