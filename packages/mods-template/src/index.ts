/**
 * @microwebsrv/mods-template — template pages (MicroWebSrv2's PyhtmlTemplate syntax, JavaScript
 * expressions), compiled and rendered by Eta. See the package README.
 */
export { TemplatePages, type TemplatePagesOptions } from './template-pages';
export { translate, lineColOf, TemplateSyntaxError, type Translation, type TranslateOptions } from './translate';
export { compilePage, createEta, basicRuntime, escapeHtml, isPageVarName, type PageFunction, type PageRuntime } from './compile';
export { PageNotFoundError } from './cache';
