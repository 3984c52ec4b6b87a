/** The last line: a confirmation question (default No), the outcome of an action, or key hints. */
import { Text } from 'ink';
import type { Notice } from '../hooks/useActions.js';
import type { Dialog } from '../state.js';
import { useTheme } from '../theme.js';
import { fit } from '../text.js';

export function Footer({ dialog, notice, columns }: { dialog?: Dialog; notice?: Notice; columns: number }) {
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
  return <Text wrap="truncate-end">{fit(theme.readonly ? 'read-only   ? help  q quit' : '? help  q quit', columns)}</Text>;
}
