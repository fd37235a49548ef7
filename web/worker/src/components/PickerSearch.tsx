import { SearchBar } from 'antd-mobile';

/**
 * The top of a picker (工作单位, 报读专业): what is chosen, or what to choose, read out when it
 * changes, and the search box that narrows the list below it.
 */
export function PickerSearch({
  chosen,
  prompt,
  placeholder,
  label,
  query,
  onQuery,
}: {
  /** What is chosen, as the worker reads it; empty when nothing is. */
  chosen: string;
  /** Shown while nothing is chosen. */
  prompt: string;
  placeholder: string;
  /** The search box's accessible name. */
  label: string;
  query: string;
  onQuery: (query: string) => void;
}) {
  return (
    <>
      <p className="w-pad" aria-live="polite">
        {chosen ? `已选择：${chosen}` : prompt}
      </p>
      <div className="w-pad">
        <SearchBar placeholder={placeholder} value={query} onChange={onQuery} aria-label={label} />
      </div>
    </>
  );
}
