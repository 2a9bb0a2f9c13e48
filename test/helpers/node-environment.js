/**
 * Jest's node environment, with the host realm's Float32Array. ONNX Runtime's native addon (PaddleOCR) creates its
 * output tensors' typed arrays in the host realm, and onnxruntime-common checks them with `instanceof` in the
 * test's own realm, which fails ("A float32 tensor's data must be type of Float32Array"). Production code runs in
 * one realm and needs nothing of the sort.
 */
const { TestEnvironment } = require('jest-environment-node');

class NodeEnvironmentSharingTypedArrays extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.Float32Array = Float32Array;
  }
}

module.exports = NodeEnvironmentSharingTypedArrays;
