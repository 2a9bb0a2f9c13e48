// Worker-thread entry for PaddleOCR (see PaddleOcr in paddle-ocr.ts): ONNX Runtime's `run` is synchronous in Node,
// so the models run here, off the event loop that drives the state machine, the stores and tesseract's workers.
// TypeScript sources load through tsx's CommonJS hook, as in bin/intake.js.
require('tsx/cjs');
require('./paddle-thread-main.ts');
