/** The filters datagrepper repeats (`?topic=a&topic=b`), each with the {@link MessageQuery} field it fills. */
export const FILTER_PARAMETERS = {
  topic: 'topics',
  not_topic: 'notTopics',
  category: 'categories',
  not_category: 'notCategories',
  user: 'users',
  not_user: 'notUsers',
  package: 'packages',
  not_package: 'notPackages',
  agent: 'agents',
  not_agent: 'notAgents',
  contains: 'contains',
  not_contains: 'notContains',
} as const;

/** A repeatable filter parameter. */
export type FilterParameter = keyof typeof FILTER_PARAMETERS;

/** datagrepper's `meta` values (fedmsg.meta fields); see `metaFields` for what statbus puts in each. */
export const META_VALUES = ['title', 'subtitle', 'icon', 'secondary_icon', 'link', 'usernames', 'packages', 'objects', 'date'] as const;

/** datagrepper's `size` values (the size of its HTML cards); checked, no effect on JSON answers. */
export const SIZE_VALUES = ['small', 'medium', 'large', 'extra-large'] as const;

/** Where a {@link QueryError} of the store names a field, the HTTP parameter that set it. */
export const PARAMETER_OF_FIELD: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(FILTER_PARAMETERS).map(([parameter, field]) => [field, parameter])),
  containsCase: 'contains_case',
  rowsPerPage: 'rows_per_page',
  start: 'start',
  end: 'end',
  delta: 'delta',
  page: 'page',
  order: 'order',
  cursor: 'cursor',
  after: 'Last-Event-ID',
};

/** datagrepper's default window when only `end` is given (seconds). */
export const DEFAULT_END_ONLY_DELTA_S = 600;
