/**
 * The last line: a confirmation question (default No), the outcome of an action, a request
 * the sentinel refused while nobody waited for it (queued while it was down), or key hints.
 */
import { Text } from 'ink';
import type { RefusedRequest } from '../../src/api/refused.js';
import type { Notice } from '../hooks/useActions.js';
import type { Dialog } from '../state.js';
import { useTheme } from '../theme.js';
import { fit } from '../text.js';

export function Footer({
  dialog,
  notice,
  refused = [],
  columns,
}: {
  dialog?: Dialog;
  notice?: Notice;
  refused?: RefusedRequest[];
  columns: number;
}) {
  const theme = useTheme();
  if (dialog?.kind === 'confirm') {
    return (
      <Text inverse bold wrap="truncate-end" {...(theme.color ? { color: 'yellow' } : {})}>
        {fit(`${dialog.question} [y/N]`, columns, theme.ascii)}
      </Text>
    );
  }
  if (notice) {
    return (
      <Text wrap="truncate-end" bold={notice.error} {...(theme.color && notice.error ? { color: 'red' } : {})}>
        {fit(notice.text, columns, theme.ascii)}
      </Text>
    );
  }
  const last = refused.at(-1);
  if (last) {
    const more = refused.length > 1 ? ` (+${refused.length - 1} more: spoolctl status)` : '';
    return (
      <Text wrap="truncate-end" bold {...(theme.color ? { color: 'red' } : {})}>
        {fit(
          `refused: ${last.action} ${last.target}: ${last.error}${last.by ? ` (asked by ${last.by})` : ''}${more}`,
          columns,
          theme.ascii,
        )}
      </Text>
    );
  }
  return <Text wrap="truncate-end">{fit(theme.readonly ? 'read-only   ? help  q quit' : '? help  q quit', columns)}</Text>;
}
