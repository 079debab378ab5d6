import { Controller, Get, Param, Query } from '@nestjs/common';
import { declaredQueryParameters, httpCacheId, routeInputs, routeInputsOf, routeTemplate } from './http-cache-key';

const none = { params: {}, query: {} };

describe(httpCacheId.name, () => {
  it('is http: and a hash', () => {
    expect(httpCacheId('/users', none, {}, [])).toMatch(/^http:[A-Za-z0-9_-]{16}$/);
  });

  it('ignores the order of parameters and tells values, types and routes apart', () => {
    expect(httpCacheId('/users', { params: {}, query: { page: 2, limit: 5 } }, {}, [])).toBe(httpCacheId('/users', { params: {}, query: { limit: 5, page: 2 } }, {}, []));
    expect(httpCacheId('/x', { params: {}, query: { page: 1 } }, {}, [])).not.toBe(httpCacheId('/x', { params: {}, query: { page: 2 } }, {}, []));
    expect(httpCacheId('/x', { params: {}, query: { page: 1 } }, {}, [])).not.toBe(httpCacheId('/x', { params: {}, query: { page: '1' } }, {}, []));
    expect(httpCacheId('/x', none, {}, [])).not.toBe(httpCacheId('/y', none, {}, []));
    expect(httpCacheId('/x/:id', { params: { id: 'a' }, query: {} }, {}, [])).not.toBe(httpCacheId('/x/:id', { params: {}, query: { id: 'a' } }, {}, []));
  });

  it('varies by the named headers only', () => {
    const en = httpCacheId('/x', none, { 'accept-language': 'en', 'user-agent': 'a' }, ['accept-language']);
    expect(httpCacheId('/x', none, { 'accept-language': 'en', 'user-agent': 'b' }, ['accept-language'])).toBe(en);
    expect(httpCacheId('/x', none, { 'accept-language': 'fr' }, ['accept-language'])).not.toBe(en);
    expect(httpCacheId('/x', none, {}, ['accept-language'])).not.toBe(en);
  });
});

class ListQuery {
  page = 1;
  limit = 20;
}

@Controller('api/v1/things')
class ThingsController {
  @Get()
  list(_org: string, @Query() _query: ListQuery): void {}

  @Get(':id')
  one(@Param('id') _id: string, @Query('expand') _expand: string | undefined): void {}

  @Get('plain/metrics')
  metrics(): void {}
}

describe('route inputs', () => {
  it('names the route by its template', () => {
    expect(routeTemplate(ThingsController, ThingsController.prototype.one)).toBe('/api/v1/things/:id');
  });

  it('takes the @Param and @Query arguments only, after the pipes, by name', () => {
    expect(routeInputs(ThingsController, 'list', ['org-1', Object.assign(new ListQuery(), { limit: 5 })])).toEqual({ params: {}, query: { page: 1, limit: 5 } });
    expect(routeInputs(ThingsController, 'one', ['abc', undefined])).toEqual({ params: { id: 'abc' }, query: { expand: undefined } });
    expect(routeInputsOf(ThingsController, 'one', { id: 'abc', other: 'x' }, {})).toEqual({ params: { id: 'abc' }, query: { expand: undefined } });
  });

  it('says which query parameters a route declares (undefined: a whole @Query() object judges)', () => {
    expect(declaredQueryParameters(ThingsController, 'list')).toBeUndefined();
    expect([...declaredQueryParameters(ThingsController, 'one')!]).toEqual(['expand']);
    expect(declaredQueryParameters(ThingsController, 'metrics')!.size).toBe(0);
  });
});
