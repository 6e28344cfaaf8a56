'use strict';
// The upload scenario's shared bits: where a `/disk` upload goes (a fresh temp file per upload).
const os = require('node:os');
const path = require('node:path');

let n = 0;
/** A fresh file name in the OS temp folder (the server removes it after the upload). */
function tempFile() {
  return path.join(os.tmpdir(), `mws-bench-upload-${process.pid}-${n++}.bin`);
}

module.exports = { tempFile };
