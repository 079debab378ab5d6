/** One page of a list, as every list route answers it. */
export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}
