import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryExecutor,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'

/** Records the SQL of every query that passes through, for a dry run's report. Changes nothing. */
export class SqlCapturePlugin implements KyselyPlugin {
  readonly #executor: QueryExecutor
  readonly #statements: string[]

  constructor(executor: QueryExecutor, statements: string[]) {
    this.#executor = executor
    this.#statements = statements
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#statements.push(this.#executor.compileQuery(args.node, args.queryId).sql)
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}
