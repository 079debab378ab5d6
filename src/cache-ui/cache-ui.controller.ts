import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { type CacheUiAsset, loadCacheUiAssets } from './cache-ui.assets';
import { CACHE_UI_HEADERS } from './cache-ui.constants';

/**
 * The operator dashboard at `/cache/ui`: a static page (plain ES modules, no build step) that
 * signs in with the operator token and drives the `/cache` API from the browser. The page and
 * its assets are public, as they hold no data; every figure comes from the guarded `/cache`
 * routes, called with the token as a bearer header.
 */
@ApiExcludeController()
@Controller('cache/ui')
export class CacheUiController {
  private readonly assets: ReadonlyMap<string, CacheUiAsset> = loadCacheUiAssets();

  @Get()
  page(@Res() response: ServerResponse): void {
    this.send(response, 'index.html');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() response: ServerResponse): void {
    this.send(response, file);
  }

  private send(response: ServerResponse, name: string): void {
    const asset = this.assets.get(name);
    if (asset === undefined) throw new NotFoundException(`No asset ${name} in the cache dashboard`);
    for (const [header, value] of Object.entries(CACHE_UI_HEADERS)) response.setHeader(header, value);
    response.setHeader('Content-Type', asset.contentType);
    response.setHeader('Content-Length', asset.body.length);
    response.end(asset.body);
  }
}
