import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { segment } from '../test/fixtures';
import { SegmentList } from './SegmentList';

// Tests run with TZ=UTC (see vite.config.ts), so local times equal UTC times here.
const first = segment(1, 130, 60); // 12:02:10 – 12:03:10
const broken = segment(2, 240, 45, 'corrupt'); // 12:04:00 – 12:04:45
const last = segment(3, 285, 60); // 12:04:45 – 12:05:45
const gap = { start: first.end, end: broken.start }; // 12:03:10 – 12:04:00

describe('SegmentList', () => {
  it('shows gaps between segments in timeline order', () => {
    render(
      <SegmentList segments={[first, broken, last]} gaps={[gap]} currentId={3} onSelect={vi.fn()} />,
    );

    const gapItem = screen.getByTestId('gap-item');
    expect(gapItem).toHaveTextContent('Gap 12:03:10 – 12:04:00 (50 s)');
    expect(within(gapItem).getAllByRole('time').map((t) => t.getAttribute('title'))).toEqual([
      '2024-05-01T12:03:10.000Z',
      '2024-05-01T12:04:00.000Z',
    ]);

    const items = screen.getAllByRole('listitem');
    expect(items.map((item) => item.dataset.testid)).toEqual([
      'segment-item',
      'gap-item',
      'segment-item',
      'segment-item',
    ]);
  });

  it('highlights the current segment and marks corrupt ones', () => {
    render(<SegmentList segments={[first, broken, last]} gaps={[]} currentId={3} onSelect={vi.fn()} />);

    const [one, two, three] = screen.getAllByTestId('segment-item');
    expect(one).toHaveTextContent('12:02:10 – 12:03:10');
    expect(one).not.toHaveAttribute('aria-current');
    expect(three).toHaveAttribute('aria-current', 'true');
    expect(two).toHaveAttribute('data-status', 'corrupt');
    expect(two).toHaveTextContent('Corrupt');
    expect(within(two as HTMLElement).getByRole('button')).toBeDisabled();
  });

  it('selects a segment on click, but not a corrupt one', async () => {
    const onSelect = vi.fn();
    render(<SegmentList segments={[first, broken, last]} gaps={[]} currentId={3} onSelect={onSelect} />);
    const user = userEvent.setup();
    const [one, two] = screen.getAllByTestId('segment-item');

    await user.click(within(two as HTMLElement).getByRole('button'));
    expect(onSelect).not.toHaveBeenCalled();

    await user.click(within(one as HTMLElement).getByRole('button'));
    expect(onSelect).toHaveBeenCalledWith(first);
  });
});
