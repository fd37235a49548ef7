import { useQueryClient } from '@tanstack/react-query';
import { Button } from 'antd-mobile';
import { type FormEvent, useState } from 'react';
import { ApiError, api, unwrap } from '../../../shared/api/client.ts';
import { bankCardProblem, required, walletIdProblem } from '../lib/checks.ts';
import type { Application } from '../lib/queries.ts';
import { Field } from './Field.tsx';
import { PayoutKindChoice } from './PayoutKindChoice.tsx';

type Kind = 'bank' | 'wallet';
type Key = 'bankName' | 'accountName' | 'accountNumber' | 'walletId';

const serverPath: Record<Key, string> = {
  bankName: 'payoutAccount.bankName',
  accountName: 'payoutAccount.accountName',
  accountNumber: 'payoutAccount.accountNumber',
  walletId: 'payoutAccount.walletId',
};

/** Whether the worker may give a new account now: approved, a payment failed, none on its way. */
export function mayChangePayoutAccount(app: Application): boolean {
  return (
    app.status === 'approved' &&
    app.payments.some((p) => p.status === 'failed') &&
    !app.payments.some((p) => p.status === 'pending')
  );
}

/**
 * 修改收款账户 (R13): after a payment failed — a closed card, a name the bank did not accept — the
 * worker gives the account the next payout run pays. `PUT /v1/applications/{id}/payout-account`
 * checks it as the application form does; the page checks the card number first.
 */
export function PayoutAccountForm({ app }: { app: Application }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<Kind>(app.payoutAccount.kind);
  const [values, setValues] = useState<Record<Key, string>>({
    bankName: app.payoutAccount.kind === 'bank' ? app.payoutAccount.bankName : '',
    accountName: app.payoutAccount.kind === 'bank' ? app.payoutAccount.accountName : app.applicant.name,
    accountNumber: '',
    walletId: '',
  });
  const [shown, setShown] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<Key, string>>>({});
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  /** The page's own check of a field of the account kind chosen. */
  const check = (key: Key): string | undefined => {
    if (kind === 'wallet') return key === 'walletId' ? walletIdProblem(values.walletId) : undefined;
    if (key === 'bankName') return required(values.bankName, '开户行');
    if (key === 'accountName') return required(values.accountName, '户名');
    return key === 'accountNumber' ? bankCardProblem(values.accountNumber) : undefined;
  };
  const problem = (key: Key): string | undefined => serverErrors[key] ?? (shown ? check(key) : undefined);
  const keys: Key[] = kind === 'bank' ? ['bankName', 'accountName', 'accountNumber'] : ['walletId'];

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setShown(true);
    setServerErrors({});
    setError(undefined);
    const local = keys.some((k) => check(k) !== undefined);
    if (local) return;
    setSaving(true);
    try {
      const payoutAccount =
        kind === 'bank'
          ? {
              kind,
              bankName: values.bankName.trim(),
              accountName: values.accountName.trim(),
              accountNumber: values.accountNumber.replace(/\s/g, ''),
            }
          : { kind, walletId: values.walletId.trim() };
      const updated = await unwrap(
        api.PUT('/v1/applications/{id}/payout-account', {
          params: { path: { id: app.id } },
          body: { payoutAccount },
        }),
      );
      queryClient.setQueryData(['application', app.id], updated);
      setSaved(true);
      setOpen(false);
    } catch (err) {
      if (err instanceof ApiError && keys.some((k) => err.fieldMessage(serverPath[k]))) {
        setServerErrors(
          Object.fromEntries(keys.map((k) => [k, err.fieldMessage(serverPath[k])]).filter(([, m]) => m)),
        );
      } else {
        setError(err instanceof Error ? err.message : '保存失败，请重试');
      }
    } finally {
      setSaving(false);
    }
  };

  if (!open) {
    return (
      <div className="w-pad">
        {saved ? (
          <p role="status">收款账户已修改，下一批发放将付到新账户。</p>
        ) : (
          <p className="w-muted">
            补助发放未成功，常见原因是银行卡已销户或户名与卡号不符。请核对后填写新的收款账户。
          </p>
        )}
        <Button size="large" color="primary" fill="outline" onClick={() => setOpen(true)}>
          修改收款账户
        </Button>
      </div>
    );
  }
  const input = (key: Key, label: string, numeric = false) => (
    <Field label={label} error={problem(key)}>
      {(props) => (
        <input
          {...props}
          className="w-input"
          type="text"
          inputMode={numeric ? 'numeric' : 'text'}
          autoComplete="off"
          value={values[key]}
          onChange={(e) => {
            setValues((v) => ({ ...v, [key]: e.target.value }));
            setServerErrors((s) => ({ ...s, [key]: undefined }));
          }}
        />
      )}
    </Field>
  );
  return (
    <form className="w-pad" aria-label="修改收款账户" onSubmit={(e) => void save(e)} noValidate>
      <PayoutKindChoice name="newPayoutKind" kind={kind} onChange={setKind} />
      {kind === 'bank' ? (
        <>
          {input('bankName', '开户行')}
          {input('accountName', '户名')}
          {input('accountNumber', '银行卡号', true)}
        </>
      ) : (
        input('walletId', '钱包账号')
      )}
      {error ? (
        <p role="alert" className="w-error">
          {error}
        </p>
      ) : null}
      <div className="w-actions">
        <Button size="large" color="primary" type="submit" loading={saving}>
          保存收款账户
        </Button>
        <Button size="large" fill="none" onClick={() => setOpen(false)}>
          取消
        </Button>
      </div>
    </form>
  );
}
