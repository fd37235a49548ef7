import { Form, Input } from 'antd';

/** `理由`: required, not blank, at most 500 characters — as the API checks a decision's or a revocation's. */
export function ReasonField() {
  return (
    <Form.Item
      label="理由"
      name="reason"
      rules={[{ required: true, whitespace: true, message: '请填写理由' }]}
    >
      <Input.TextArea rows={3} maxLength={500} />
    </Form.Item>
  );
}
