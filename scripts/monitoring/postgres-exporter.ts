/**
 * postgres_exporter's custom queries (`--extend.query-path`): the top statements of pg_stat_statements by
 * total time. The query text is cut to 200 characters and keeps the sqlcommenter comment of one sample
 * execution, so a slow statement leads to a request_id and a trace. Statements of the exporter's own role
 * are left out; a statement run by several roles is one series. Limited to 20 statements so the series count
 * stays bounded.
 */
export const POSTGRES_EXPORTER_QUERIES = {
  pg_stat_statements: {
    query: [
      // One row per statement and database: pg_stat_statements keeps a row per role (and per top-level flag),
      // and two series with the same labels would make the exporter drop the whole query.
      'SELECT d.datname, s.queryid::text AS queryid, left(regexp_replace(min(s.query), E\'\\\\s+\', \' \', \'g\'), 200) AS query,',
      '       sum(s.calls) AS calls, sum(s.total_exec_time) / 1000 AS seconds_total, sum(s.rows) AS rows,',
      '       sum(s.total_exec_time) / nullif(sum(s.calls), 0) / 1000 AS mean_seconds',
      'FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid',
      'WHERE s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)',
      'GROUP BY d.datname, s.queryid',
      'ORDER BY sum(s.total_exec_time) DESC LIMIT 20',
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
