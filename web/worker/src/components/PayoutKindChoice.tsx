/** 收款方式 (R13): 银行卡 or 齐鲁工惠钱包, as radio buttons named `name`. */
export function PayoutKindChoice({
  name,
  kind,
  onChange,
}: {
  name: string;
  kind: 'bank' | 'wallet';
  onChange: (kind: 'bank' | 'wallet') => void;
}) {
  return (
    <fieldset className="w-field">
      <legend>收款方式</legend>
      <label className="w-radio">
        <input type="radio" name={name} checked={kind === 'bank'} onChange={() => onChange('bank')} />
        银行卡
      </label>
      <label className="w-radio">
        <input type="radio" name={name} checked={kind === 'wallet'} onChange={() => onChange('wallet')} />
        齐鲁工惠钱包
      </label>
    </fieldset>
  );
}
