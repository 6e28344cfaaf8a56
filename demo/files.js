'use strict';
// The demo's file manager (issue 14): @microwebsrv/mods-files mounted at /fs/ over a data folder of its
// own, and its page at /files.html (list, upload with a progress bar, download, delete, new folder).
//   DEMO_FILES_DIR  the folder (default demo/files-data, git-ignored; created when missing)
//   DEMO_USER / DEMO_PASSWORD  the Basic credentials writes need (default admin and a random password,
//                   printed at start); reading is open to everyone.
// main.js calls configureFiles(srv) for each server (HTTP and HTTPS share the folder) and
// filesBanner() once they listen.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { FileManager } = require('@microwebsrv/mods-files');

const DIR = path.resolve(process.env.DEMO_FILES_DIR || path.join(__dirname, 'files-data'));
const USER = process.env.DEMO_USER || 'admin';
const PASSWORD = process.env.DEMO_PASSWORD || crypto.randomBytes(9).toString('base64url');

/** Mounts the file manager on `srv`: GET open to all, PUT / POST / DELETE with the demo's credentials. */
function configureFiles(srv) {
  fs.mkdirSync(DIR, { recursive: true });
  srv.loadModule(FileManager, {
    prefix: '/fs',
    base: DIR,
    realm: 'demo files',
    maxFileBytes: 512 * 1024 * 1024,
    // uhttpd's file_acl: reads for everyone; writes (upload, new folder, delete) only with the credentials.
    // No credentials: 401 with the Basic challenge (curl -u, a browser's prompt). Wrong ones: 403, so
    // that the page's own requests (which always carry them) never make the browser pop up its dialog.
    acl: (_path, access, request) => {
      if (access === 'read' || request.checkBasicAuth(USER, PASSWORD)) return 'rw';
      return request.authorization ? 403 : 401;
    },
  });
}

/** The lines main.js prints once the servers listen. */
function filesBanner() {
  const given = Boolean(process.env.DEMO_PASSWORD);
  return `  file manager at /files.html over ${DIR}: writes need user ${USER}, password ${given ? '(DEMO_PASSWORD)' : PASSWORD}`;
}

module.exports = { configureFiles, filesBanner };
