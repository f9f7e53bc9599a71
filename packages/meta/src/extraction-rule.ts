/**
 * How a string found in a message body becomes a user or a package name.
 *
 * - `value` — the string as it is (the default).
 * - `capability` — an RPM capability `name(arch)` → `name`.
 * - `lower` — the string in lower case (wiki user names).
 * - `nvr` — a build's `name-version-release` (or `name-epoch:version-release`) → `name`.
 * - `nvr-list` — several builds separated by commas or spaces (a bodhi update title) → each `name`.
 * - `rpm-filename` — `name-version-release.arch.rpm` → `name`.
 * - `dist-git` — a dist-git repository path (`rpms/foo`, `/srv/git/rpms/foo.git`, `foo`) → `foo`; paths in
 *   other namespaces (`modules/…`, `container/…`) give nothing.
 * - `mentions` — every `@name` in a text.
 * - `email` — an email address → its owner's username, from {@link ExtractorOptions.identities}, else the
 *   local part of an `@fedoraproject.org` address, else the address itself (as fedmsg_meta's FAS lookup does).
 * - `account` — a person named in any of the forms Fedora uses: a FAS OpenID URL
 *   (`https://ralph.id.fedoraproject.org/`) → `ralph`, an email as `email` does except that an address
 *   nobody is known by gives nothing, a plain name as it is.
 * - `mail-address` — a mail `From:` (`Ralph <ralph@fedoraproject.org>`) → its address, then as `account`.
 * - `nick` — an IRC or forge nick → the username {@link ExtractorOptions.identities} maps it to, else the
 *   nick itself.
 * - `owner` — a project path `owner/project` (or `@group/project`) → `owner`; groups (starting with `@`) give nothing.
 * - `project` — a project path `owner/project` → `project`.
 * - `url-user` — the last path segment of a URL such as `https://…/user/ralph` → `ralph`.
 */
export type ValueTransform =
  | 'value'
  | 'capability'
  | 'lower'
  | 'nvr'
  | 'nvr-list'
  | 'rpm-filename'
  | 'dist-git'
  | 'mentions'
  | 'email'
  | 'account'
  | 'mail-address'
  | 'nick'
  | 'owner'
  | 'project'
  | 'url-user';

/** A condition on a value of the body: all given tests must hold. */
export interface ValueCondition {
  /** Path into the body (same syntax as {@link ValueSource.path}); the first value found is tested. */
  readonly path: string;
  /** Holds when the value is one of these (compared as strings, without case). */
  readonly in?: readonly (string | number | boolean | null)[];
  /** Holds when the value is none of these. */
  readonly notIn?: readonly (string | number | boolean | null)[];
  /** Holds when the value (as text) matches this regular expression (source, e.g. `buildsys\\.build`). */
  readonly matches?: string;
  /** `true`: holds when the path has a value (not null); `false`: when it has none. */
  readonly exists?: boolean;
  /** What the `in` / `notIn` tests give when the path has no value; default `false` for `in`, `true` for `notIn`. */
  readonly whenMissing?: boolean;
}

/**
 * Where in a message values are found.
 *
 * `path` is a dotted path into the body: `update.submitter`, `comment.author`. `[]` walks every element of
 * an array (`update.builds[].nvr`), a number one element (`-1` the last), `*` every value of an object (`commits.*.author`), `~` every key of an
 * object (`stats.files.~`). Strings found are taken, arrays of strings are flattened, objects, numbers and
 * null are ignored (so `update.submitter` and `update.submitter.name` can both be listed for a field that
 * is sometimes a string and sometimes an object). `[key=value]` keeps the array elements whose `key` is
 * `value`, compared without case (`packages[distro=fedora].package_name`).
 */
export interface ValueSource {
  /** Path into the body; exactly one of `path`, `topicWords` or `value`. */
  readonly path?: string;
  /**
   * Words of the topic's subject (what follows `<prefix>.<env>.`), `[from, to)` as in `Array.slice`
   * (negative counts from the end), joined with dots: `[2, -1]` of `git.receive.valgrind.master` is `valgrind`.
   */
  readonly topicWords?: readonly [number, number?];
  /** A constant, for rules that always name the same user or package. */
  readonly value?: string;
  /** Transform of each string found; default `value`. */
  readonly as?: ValueTransform;
  /** Split each string on this separator (a regular expression source) before transforming, e.g. `[ ,]+`. */
  readonly split?: string;
  /** Take the values only when this holds. */
  readonly when?: ValueCondition | readonly ValueCondition[];
  /** Use this source only when the sources before it in the list found nothing. */
  readonly fallback?: boolean;
  /** Leave out these values (compared after the transform); an entry ending in `*` leaves out every value starting with the rest, one starting with `*` every value ending with it. */
  readonly except?: readonly string[];
}

/**
 * One fact of the table: for the messages whose topic matches `topic`, where their users and packages are.
 * Rules are tried in order; for users and for packages separately, the first matching rule that says
 * something about that field (has `users`, resp. `packages`) decides it. `users: []` says "none".
 */
export interface ExtractionRule {
  /**
   * Topic pattern with AMQP semantics (`*` one word, `#` zero or more) over the topic's subject: what follows
   * `<prefix>.<env>.` (`bodhi.update.comment`, `buildsys.#`). The subject of a topic under the configured
   * prefix is what follows that prefix and the environment; of any other topic, what follows its third word
   * (`io.pagure.prod.pagure.issue.new` → `pagure.issue.new`), as datanommer takes the category.
   */
  readonly topic: string;
  /** Only for messages where this holds (a rule per body shape of the same topic). */
  readonly when?: ValueCondition | readonly ValueCondition[];
  readonly users?: readonly (string | ValueSource)[];
  readonly packages?: readonly (string | ValueSource)[];
  /** Where the fact comes from, for people reading the table (e.g. `bodhi`, `fedmsg_meta`). */
  readonly family?: string;
}

/** Options of an extractor built from rules. */
export interface ExtractorOptions {
  /**
   * Who is who: email addresses and nicks (IRC, GitHub…) → usernames, as fedmsg_meta's FAS cache held them.
   * Used by the `email` and `nick` transforms.
   */
  readonly identities?: Readonly<Record<string, string>>;
  /** The configured topic prefix (`org.fedoraproject`), so the subject of its topics is found by it. */
  readonly prefix?: string;
}

/** The users and packages found in one message. */
export interface DerivedMeta {
  readonly users: readonly string[];
  readonly packages: readonly string[];
  /** Whether a rule matched for users, resp. packages (false: the table knows nothing about this topic). */
  readonly matched: { readonly users: boolean; readonly packages: boolean };
}
