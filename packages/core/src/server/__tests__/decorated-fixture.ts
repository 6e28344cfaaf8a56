/**
 * Standard-decorator usage of WebRoute. Not a test itself: tsconfig.test.json type-checks it, and
 * web-route.test.ts compiles it with swc (with the decorator options jest.config.js needs) and with tsc,
 * then runs both outputs. The jest config does not parse decorators yet, so it is never imported directly.
 */
import type { HttpRequest } from '../../request/http-request';
import type { MicroWebSrv } from '../../server/micro-web-srv';
import type { RouteArgs } from '../../routes/route-pattern';
import { WebRoute } from '../web-route';

export class Users {
  static readonly greeting = 'hello';

  /** Static: registered when the class is defined; `this` is the class. */
  @WebRoute('GET', '/users/<id:int>', 'user')
  static user(_server: MicroWebSrv, _req: HttpRequest, args: RouteArgs): string {
    return `${this.greeting} ${args.id}`;
  }

  constructor(readonly prefix: string) {}

  /** Instance: registered when an instance is constructed; `this` is that instance. */
  @WebRoute('POST', '/users/<name>', 'create')
  create(_server: MicroWebSrv, _req: HttpRequest, args: RouteArgs): string {
    return `${this.prefix}:${args.name}`;
  }

  /** Handlers may be async and take fewer parameters. */
  @WebRoute('GET', '/users')
  static async list(): Promise<string[]> {
    return ['a', 'b'];
  }
}
