export { Button, type ButtonProps, type ButtonVariant } from "./Button";
export { Dialog, type DialogProps } from "./Dialog";
export { SearchBox, type SearchBoxProps } from "./SearchBox";
export { Spinner, type SpinnerProps } from "./Spinner";
export { TextField, type TextFieldProps } from "./TextField";
export { ToastProvider, useToast, MAX_TOASTS, TOAST_TIMEOUT_MS, type Toast, type ToastApi, type ToastKind } from "./Toast";
export { NewFamilyDialog, type NewFamilyDialogProps } from "./NewFamilyDialog";
export { SelectField, type SelectFieldProps, type SelectOption } from "./SelectField";
export { Loaded, LoadFailed, type LoadedProps, type LoadFailedProps } from "./Loaded";
