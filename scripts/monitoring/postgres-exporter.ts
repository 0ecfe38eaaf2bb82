/**
 * postgres_exporter's custom queries (`--extend.query-path`): the top statements of pg_stat_statements by
 * total time. The query text is cut to 200 characters and keeps the sqlcommenter comment of one sample
 * execution, so a slow statement leads to a request_id and a trace. Statements of the exporter's own role
 * are left out. Limited to 20 statements so the series count stays bounded.
 */
export const POSTGRES_EXPORTER_QUERIES = {
  pg_stat_statements: {
    query: [
      'SELECT d.datname, s.queryid::text AS queryid, left(regexp_replace(s.query, E\'\\\\s+\', \' \', \'g\'), 200) AS query,',
      '       s.calls, s.total_exec_time / 1000 AS seconds_total, s.rows, s.mean_exec_time / 1000 AS mean_seconds',
      'FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid',
      'WHERE s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)',
      'ORDER BY s.total_exec_time DESC LIMIT 20',
    ].join('\n'),
    master: true,
    metrics: [
      { datname: { usage: 'LABEL', description: 'Database' } },
      { queryid: { usage: 'LABEL', description: 'pg_stat_statements query id' } },
      { query: { usage: 'LABEL', description: 'Statement text (first 200 characters, with its sample SQL comment)' } },
      { calls: { usage: 'COUNTER', description: 'Executions of the statement' } },
      { seconds_total: { usage: 'COUNTER', description: 'Total execution time, seconds' } },
      { rows: { usage: 'COUNTER', description: 'Rows retrieved or affected' } },
      { mean_seconds: { usage: 'GAUGE', description: 'Mean execution time, seconds' } },
    ],
  },
};
