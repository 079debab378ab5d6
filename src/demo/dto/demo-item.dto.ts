/** A demo item as the API shows it. */
export interface DemoItemDto {
  id: number;
  name: string;
  updatedAt: string;
}

/** `source` tells where this read came from: the database (the loader ran) or the cache. */
export interface DemoItemReadDto {
  item: DemoItemDto;
  source: 'database' | 'cache';
}
