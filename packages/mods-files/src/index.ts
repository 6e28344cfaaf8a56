/**
 * @microwebsrv/mods-files — the file manager module (uhttpd's `serve`, `receive` and `file_acl`): folder
 * listings, downloads through core's static files, atomic uploads (temp file, fsync, rename), new
 * folders, deletes, an ACL callback, quotas and conditional writes, under a URL prefix.
 */
export { FileManager } from './file-manager';
export { type FileManagerOptions, type FileAcl, type AclResult, type Access } from './options';
export { type Listing, type ListEntry } from './listing';
export { writeAtomic, removeStaleTemps, WriteRefused, type WritePlan, type Stored } from './atomic-write';
export { type BodySource } from './body-source';
