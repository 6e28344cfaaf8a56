// Placeholder until its issue lands; see the README's package table.
export const PACKAGE = '@microwebsrv/mods-websockets';
