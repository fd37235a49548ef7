import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

/** Every date the product shows is Asia/Shanghai (architecture.md §2), whatever the phone's zone. */
export const ZONE = 'Asia/Shanghai';

/** An instant as Shanghai wall time: "2026-05-05 09:30". */
export function shanghaiTime(iso: string): string {
  return dayjs(iso).tz(ZONE).format('YYYY-MM-DD HH:mm');
}

/** Today's date in Shanghai, `YYYY-MM-DD`, as the API's inclusive windows count it. */
export function shanghaiToday(): string {
  return dayjs().tz(ZONE).format('YYYY-MM-DD');
}

export { dayjs };
