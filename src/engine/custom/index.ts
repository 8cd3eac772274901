/** Custom cells: user-defined gates and state updates as expressions, checked at load time, run like built-in cells. */
export { caretLines, ExprError, parseExpr, type ExprNode } from './expr';
export { CustomCellError, customParams, defineCustomCell, type CustomCellDef, type CustomCellSpec, type CustomGate, type GateSpec } from './define';
export { compileCustomCell } from './compile';
export { customFromKeras } from './from-keras';
