/**
 * The walk over a TypeScript source file: selects the coroutine functions (every async function
 * with a body, innermost first: a function is wrapped after everything nested in it), keeps the
 * body state of the innermost one for its awaits and catch clauses, and places what the wrap
 * emits (hoisted declarations, object and class installers). Babel's visitor does the same walk
 * in plugin/babel/select-functions.ts.
 */
import { withLoc, type FileContext, type TS } from "./context.js";
import {
  bodyDelegates, bodyTemps, catchWrite, newBodyState, rewriteAwait, rewriteAwaitUsing, rewriteForAwait, rewriteReturn, rewriteYield,
  type BodyState, type FastPath,
} from "./rewrite-awaits.js";
import {
  classStaticBlock, wrapClassMethod, wrapDeclaration, wrapExpression, wrapObjectMethod,
  type ClassWork, type CoroutineParts,
} from "./wrap-function.js";
import { captureLexical } from "./capture-lexical.js";
import { ownNameWrites, rewriteOwnNameWrite, type OwnNameTarget } from "./own-name.js";

type Ts = typeof import("typescript");

function isAsync(ts: Ts, node: TS.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}

/** A coroutine function: async, with a body (overload signatures and abstract methods have none). */
export function isCoroutineFunction(ts: Ts, node: TS.Node): node is TS.FunctionLikeDeclaration & { body: TS.ConciseBody } {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node)) &&
    node.body !== undefined && isAsync(ts, node);
}

export class Walk {
  readonly ctx: FileContext;
  readonly context: TS.TransformationContext;
  readonly fastPath: FastPath;
  /** The body state of the innermost coroutine function being visited; null outside one (or in a nested plain function). */
  state: BodyState | null = null;
  /** Original nodes that write a named async function expression's own name, and what they become (own-name.ts). */
  readonly ownNameTargets = new Map<TS.Node, OwnNameTarget>();

  constructor(ctx: FileContext, context: TS.TransformationContext, fastPath: FastPath) {
    this.ctx = ctx;
    this.context = context;
    this.fastPath = fastPath;
  }

  /** A construct the walk refuses: a CompileError at the node, with its code frame. */
  error(node: TS.Node, message: string): Error {
    return this.ctx.refusal(node, message);
  }

  readonly visit = (node: TS.Node): TS.VisitResult<TS.Node | undefined> => {
    const { ts } = this.ctx;
    if (this.ownNameTargets.size > 0) {
      const written = rewriteOwnNameWrite(this.ctx, this.ownNameTargets, node, this.visit);
      if (written !== undefined) return written;
    }
    if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return this.visitStatementContainer(node);
    if (ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
      if (isCoroutineFunction(ts, node)) return this.compileExpression(node);
      return this.plainFunction(node);
    }
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return this.plainFunction(node);
    if (ts.isObjectLiteralExpression(node)) return this.visitObject(node);
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) return this.visitClass(node);
    const state = this.state;
    if (state !== null) {
      if (ts.isAwaitExpression(node)) {
        const operand = ts.visitNode(node.expression, this.visit, ts.isExpression)!;
        return rewriteAwait(state, node, operand, this.fastPath);
      }
      if (ts.isCatchClause(node)) {
        const write = catchWrite(state, node);
        const visited = ts.visitEachChild(node, this.visit, this.context);
        return this.ctx.f.updateCatchClause(visited, visited.variableDeclaration, this.ctx.f.updateBlock(visited.block, [write, ...visited.block.statements]));
      }
      if (ts.isForOfStatement(node) && node.awaitModifier) return this.forAwait(node, (inner) => inner);
      if (ts.isLabeledStatement(node) && labeledForAwait(ts, node)) {
        const labels: TS.Identifier[] = [];
        let loop: TS.Statement = node;
        while (ts.isLabeledStatement(loop)) {
          labels.push(loop.label);
          loop = loop.statement;
        }
        return this.forAwait(loop as TS.ForOfStatement, (inner) => labels.reduceRight<TS.Statement>((s, label) => this.ctx.f.createLabeledStatement(label, s), inner));
      }
      if (state.generator && ts.isYieldExpression(node)) {
        const argument = node.expression ? ts.visitNode(node.expression, this.visit, ts.isExpression) : undefined;
        return rewriteYield(state, node, argument);
      }
      if (state.generator && ts.isReturnStatement(node)) {
        const argument = node.expression ? ts.visitNode(node.expression, this.visit, ts.isExpression) : undefined;
        return rewriteReturn(state, node, argument) ?? this.ctx.f.updateReturnStatement(node, argument);
      }
    }
    return ts.visitEachChild(node, this.visit, this.context);
  };

  forAwait(node: TS.ForOfStatement, wrapLoop: (inner: TS.Statement) => TS.Statement): TS.Statement {
    const visited = this.ctx.ts.visitEachChild(node, this.visit, this.context);
    return rewriteForAwait(this.state!, node, visited, wrapLoop);
  }

  /** A function that is not a coroutine function: its body is no await context of the enclosing one. */
  plainFunction(node: TS.Node): TS.Node {
    const saved = this.state;
    this.state = null;
    try {
      return this.ctx.ts.visitEachChild(node, this.visit, this.context);
    } finally {
      this.state = saved;
    }
  }

  /** Rewrites a coroutine function's body: its awaits, catch clauses and (for async generators) yields and returns. */
  compileBody(node: TS.FunctionLikeDeclaration & { body: TS.ConciseBody }): CoroutineParts {
    const { ts, f } = this.ctx;
    const generator = node.asteriskToken !== undefined;
    const state = newBodyState(this.ctx, generator, !generator && bodyDelegates(ts, node.body));
    const saved = this.state;
    this.state = null;
    // Parameters (their defaults may hold functions) belong to the outer context, as natively.
    const parameters = ts.visitNodes(node.parameters, this.visit, ts.isParameter);
    this.state = state;
    this.context.startLexicalEnvironment();
    let statements: TS.Statement[];
    try {
      if (ts.isBlock(node.body)) {
        statements = this.visitStatements(node.body.statements, "var");
      } else {
        const expression = ts.visitNode(node.body, this.visit, ts.isExpression)!;
        statements = [withLoc(this.ctx, f.createReturnStatement(expression), node.body)];
      }
    } finally {
      this.state = saved;
    }
    const hoistedVars = this.context.endLexicalEnvironment() ?? [];
    // `"use strict"` and other directives stay first.
    let prologue = 0;
    while (prologue < statements.length && isDirective(ts, statements[prologue]!)) prologue++;
    statements = [...statements.slice(0, prologue), ...bodyTemps(state), ...hoistedVars, ...statements.slice(prologue)];
    return { original: node, parameters, statements, state, generator };
  }

  compileExpression(node: TS.FunctionExpression | TS.ArrowFunction): TS.Expression {
    if (this.ctx.ts.isFunctionExpression(node) && node.name) this.findOwnNameWrites(node, node.name.text);
    const parts = this.compileBody(node);
    if (this.ctx.ts.isArrowFunction(node)) {
      const { statements, wrap } = captureLexical(this.ctx, this.context, parts.statements, parts.parameters);
      return wrapExpression(this.ctx, { ...parts, statements: statements.statements, parameters: statements.parameters }, wrap);
    }
    return wrapExpression(this.ctx, parts, (fn) => fn);
  }

  /** Marks the writes to a named function expression's own name for the visit to rewrite; the wrap declares their reference objects. */
  findOwnNameWrites(node: TS.FunctionExpression, name: string): void {
    const writes = ownNameWrites(this.ctx.ts, node, this.ctx.fileStrict);
    if (writes.size === 0) return;
    const refs = new Map<boolean, TS.Identifier>();
    for (const [target, strict] of writes) {
      let ref = refs.get(strict);
      if (!ref) refs.set(strict, (ref = this.ctx.uid(name)));
      this.ownNameTargets.set(target, { ref, name });
    }
    this.ctx.ownNameRefs.set(node, refs);
  }

  /** A block's statements, with its coroutine function declarations hoisted to the top. */
  visitStatementContainer(node: TS.Block | TS.ModuleBlock | TS.CaseClause | TS.DefaultClause): TS.Node {
    const { ts, f } = this.ctx;
    if (ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const declaration = node.statements.find((s) => isCoroutineFunction(ts, s));
      if (declaration) {
        throw this.error(declaration, "corotask cannot compile an async function declaration directly inside a switch case or label; wrap it in a block { }");
      }
      return ts.visitEachChild(node, this.visit, this.context);
    }
    const kind = ts.isBlock(node) && node.parent && ts.isFunctionLike(node.parent) ? "var" : "let";
    const statements = this.visitStatements(node.statements, ts.isModuleBlock(node) ? "var" : kind);
    return ts.isBlock(node) ? f.updateBlock(node, statements) : f.updateModuleBlock(node, statements);
  }

  /** Visits a statement list; hoists coroutine function declarations; rewrites `await using` (whose scope is the rest of the list). */
  visitStatements(statements: readonly TS.Statement[], kind: "var" | "let"): TS.Statement[] {
    const { ts } = this.ctx;
    const hoisted: TS.Statement[] = [];
    const out: TS.Statement[] = [];
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i]!;
      if (ts.isFunctionDeclaration(statement) && isCoroutineFunction(ts, statement)) {
        if (statement.parent && ts.isModuleBlock(statement.parent) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
          throw this.error(statement, "corotask cannot compile an exported async function declaration inside a namespace; export a const arrow or move it out of the namespace");
        }
        const parts = this.compileBody(statement);
        const { hoisted: declaration, replacement } = wrapDeclaration(this.ctx, parts, kind, this.ctx.bodyId(statement));
        hoisted.push(declaration);
        out.push(...replacement);
        continue;
      }
      if (this.state !== null && ts.isVariableStatement(statement) && isAwaitUsing(ts, statement.declarationList)) {
        const declarations = ts.visitNode(statement.declarationList, this.visit, ts.isVariableDeclarationList)!;
        const rest = this.visitStatements(statements.slice(i + 1), kind);
        out.push(...rewriteAwaitUsing(this.state, statement, declarations, rest));
        break;
      }
      const visited = ts.visitNode(statement, this.visit, ts.isStatement);
      if (visited) out.push(visited);
    }
    if (hoisted.length === 0) return out;
    let anchor = 0;
    while (anchor < out.length && (isDirective(ts, out[anchor]!) || ts.isImportDeclaration(out[anchor]!) || ts.isImportEqualsDeclaration(out[anchor]!))) anchor++;
    return [...out.slice(0, anchor), ...hoisted, ...out.slice(anchor)];
  }

  /** An object literal: its coroutine methods become generator methods, and their public functions are installed once it exists. */
  visitObject(node: TS.ObjectLiteralExpression): TS.Expression {
    const { ts, f } = this.ctx;
    let temp: TS.Identifier | null = null;
    const assignments: TS.Expression[] = [];
    const saved = this.state;
    const properties = node.properties.map((property) => {
      if (ts.isMethodDeclaration(property) && isCoroutineFunction(ts, property)) {
        temp ??= this.ctx.pushVar("obj");
        const name = ts.isComputedPropertyName(property.name) ? f.updateComputedPropertyName(property.name, ts.visitNode(property.name.expression, this.visit, ts.isExpression)!) : property.name;
        const parts = this.compileBody(property);
        const { member, assignment } = wrapObjectMethod(this.ctx, parts, f.updateMethodDeclaration(property, property.modifiers, property.asteriskToken, name, property.questionToken, undefined, parts.parameters, undefined, property.body), temp);
        assignments.push(assignment);
        return member;
      }
      this.state = saved;
      return ts.visitNode(property, this.visit, ts.isObjectLiteralElementLike)!;
    });
    const updated = f.updateObjectLiteralExpression(node, properties);
    if (temp === null) return updated;
    return f.createParenthesizedExpression(f.createCommaListExpression([f.createAssignment(temp, updated), ...assignments, temp]));
  }

  /** A class: its coroutine methods become generator methods, installed by a static block placed first. */
  visitClass(node: TS.ClassDeclaration | TS.ClassExpression): TS.Node {
    const { ts, f } = this.ctx;
    const work: ClassWork = { statements: [], proto: null };
    const members: TS.ClassElement[] = [];
    for (const member of node.members) {
      if (ts.isMethodDeclaration(member) && isCoroutineFunction(ts, member)) {
        const name = ts.isComputedPropertyName(member.name) ? f.updateComputedPropertyName(member.name, ts.visitNode(member.name.expression, this.visit, ts.isExpression)!) : member.name;
        const decorators = member.modifiers?.map((m) => ts.visitNode(m, this.visit, ts.isModifierLike)!) ;
        const parts = this.compileBody(member);
        const method = f.updateMethodDeclaration(member, decorators, member.asteriskToken, name, member.questionToken, undefined, parts.parameters, undefined, member.body);
        members.push(wrapClassMethod(this.ctx, parts, method, node, work));
        continue;
      }
      const visited = ts.visitNode(member, this.visit, ts.isClassElement);
      if (visited) members.push(visited);
    }
    const heritage = ts.visitNodes(node.heritageClauses, this.visit, ts.isHeritageClause);
    const modifiers = ts.visitNodes(node.modifiers, this.visit, ts.isModifierLike);
    if (work.statements.length > 0) members.unshift(classStaticBlock(this.ctx, work));
    return ts.isClassDeclaration(node)
      ? f.updateClassDeclaration(node, modifiers, node.name, node.typeParameters, heritage, members)
      : f.updateClassExpression(node, modifiers, node.name, node.typeParameters, heritage, members);
  }
}

function isDirective(ts: Ts, statement: TS.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.pos >= 0;
}

function isAwaitUsing(ts: Ts, list: TS.VariableDeclarationList): boolean {
  const flags = list.flags & ts.NodeFlags.BlockScoped;
  return (ts.NodeFlags as unknown as Record<string, number>).AwaitUsing !== undefined && flags === (ts.NodeFlags as unknown as Record<string, number>).AwaitUsing;
}

function labeledForAwait(ts: Ts, node: TS.LabeledStatement): boolean {
  let s: TS.Statement = node;
  while (ts.isLabeledStatement(s)) s = s.statement;
  return ts.isForOfStatement(s) && s.awaitModifier !== undefined;
}
