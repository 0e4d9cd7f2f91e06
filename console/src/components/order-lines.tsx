/** The lines of one order (product, quantity, unit price, discount, line total): the order drawer and the customer's orders card. */
import { Table, Text } from '@mantine/core';
import type { OrderLine } from '../hooks/api/orders';
import { ordersMessages } from '../i18n/orders';
import { useFormat } from '../lib/format';
import { useT } from '../lib/i18n';

type Line = Pick<OrderLine, 'lineNo' | 'sku' | 'title' | 'quantity' | 'unitPrice' | 'discount' | 'total' | 'locationId'>;

/**
 * `nested`: the light look inside an opened table row (tight rows, no borders, no scroll box);
 * otherwise the full table of a card, which scrolls sideways on narrow screens.
 * `from` names the stock location a line left from; without it the location is not shown.
 */
export function OrderLinesTable({ lines, currency, nested, from }: { lines: Line[]; currency: string; nested?: boolean; from?: (locationId: string) => string }) {
  const t = useT(ordersMessages);
  const f = useFormat();
  const money = (n: number) => f.money(n, currency);
  const table = (
    <Table verticalSpacing={nested ? 4 : 'xs'} withRowBorders={!nested}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('colProduct')}</Table.Th>
          <Table.Th ta="right">{t('colQty')}</Table.Th>
          <Table.Th ta="right">{t('colUnit')}</Table.Th>
          <Table.Th ta="right">{t('colLineDiscount')}</Table.Th>
          <Table.Th ta="right">{t('colLineTotal')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {lines.map((l) => (
          <Table.Tr key={l.lineNo}>
            <Table.Td>
              <Text size="sm" fw={nested ? undefined : 500}>
                {l.title}
              </Text>
              <Text size="xs" c="dimmed">
                <Text span ff="monospace" size="xs">
                  {l.sku}
                </Text>
                {from && ` · ${t('colFrom')}: ${from(l.locationId)}`}
              </Text>
            </Table.Td>
            <Table.Td ta="right">{f.number(l.quantity)}</Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
              {money(l.unitPrice)}
            </Table.Td>
            <Table.Td ta="right" c={l.discount > 0 ? 'red' : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
              {l.discount > 0 ? `−${money(l.discount)}` : '—'}
            </Table.Td>
            <Table.Td ta="right" fw={nested ? undefined : 500} style={{ whiteSpace: 'nowrap' }}>
              {money(l.total)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return nested ? table : <Table.ScrollContainer minWidth={620}>{table}</Table.ScrollContainer>;
}
