/** The ledger's recent events, scrollable. */
import { Box, Text } from 'ink';
import { EventList, eventJobWidth } from '../components/EventList.js';
import type { SpoolData } from '../hooks/useSpoolData.js';
import { fit } from '../text.js';

export function Events({ data, height, columns, cursor }: { data: SpoolData; height: number; columns: number; cursor: number }) {
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          `TIME     EVENT        ${fit('JOB', eventJobWidth(data.events, columns))} WHERE      BY (newest ${data.events.length})`,
          columns,
        )}
      </Text>
      <EventList events={data.events} columns={columns} height={height - 1} cursor={cursor} />
    </Box>
  );
}
