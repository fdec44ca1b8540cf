using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// Lowers checked rules to evaluators for one target: constant parts are folded (with the same
/// double arithmetic the evaluators use), comparisons of signal with a constant on integer data
/// become interval tests on the stored values, everything else becomes vector kernels over blocks.
/// </summary>
internal sealed class FilterCompiler
{
    /// <summary>Elements per block: a few tens of kilobytes per intermediate, so a rule's working set stays in cache.</summary>
    public const int BlockSize = 4096;

    private readonly FilterTarget _target;
    private readonly string _ruleText;
    private SignalEvaluator? _signal;
    private TimeEvaluator? _time;
    private ChannelEvaluator? _channel;
    private readonly Dictionary<int, ColumnEvaluator> _columns = [];
    private bool _usesTime;

    private FilterCompiler(FilterTarget target, string ruleText)
    {
        _target = target;
        _ruleText = ruleText;
    }

    /// <summary>A lowered number: a constant, or an evaluator.</summary>
    private readonly record struct Number(double Constant, NumberEvaluator? Evaluator)
    {
        public bool IsConstant => Evaluator is null;
    }

    /// <summary>A lowered condition: a constant, or an evaluator.</summary>
    private readonly record struct Condition(bool Constant, ConditionEvaluator? Evaluator)
    {
        public bool IsConstant => Evaluator is null;
    }

    public static CompiledFilter Compile(FilterTarget target, IReadOnlyList<ParsedRule> rules)
    {
        string text = string.Join(" AND ", rules.Select(r => rules.Count == 1 ? r.Text : $"({r.Text})"));
        var compiler = new FilterCompiler(target, text);
        Condition all = new(true, null);
        foreach (ParsedRule rule in rules)
        {
            all = Logical(all, compiler.Lower(rule.Body), and: true);
        }

        ConditionEvaluator root = all.Evaluator ?? new ConstantConditionEvaluator(all.Constant, BlockSize);
        return new CompiledFilter(target, text, root, usesTime: compiler._usesTime || compiler._time is not null);
    }

    private Condition Lower(FilterNode node)
    {
        // A condition on t alone (a time range) has one answer per point: decide it once per point
        // with the same scalar double arithmetic, and spread it over the point's elements.
        if (ReadsOnly(node, VariableSource.Time) && !IsConstant(node))
        {
            _usesTime = true;
            return new Condition(false, new PointConditionEvaluator(ScalarCondition(node), BlockSize));
        }

        return LowerElementwise(node);
    }

    private Condition LowerElementwise(FilterNode node) => node switch
    {
        ComparisonNode comparison => Lower(comparison),
        LogicalNode logical => Logical(Lower(logical.Left), Lower(logical.Right), logical.Operator == LogicalOperator.And),
        NotNode not => Not(Lower(not.Operand)),
        _ => throw new InvalidOperationException($"{node.GetType().Name} is not a condition (the checker should have said so)"),
    };

    private static Condition Not(Condition operand) =>
        operand.IsConstant ? new Condition(!operand.Constant, null) : new Condition(false, new NotEvaluator(operand.Evaluator!, BlockSize));

    private static Condition Logical(Condition left, Condition right, bool and)
    {
        // A constant side decides or drops out: false and x = false, true and x = x (likewise for or).
        if (left.IsConstant)
        {
            return left.Constant == and ? right : left;
        }

        if (right.IsConstant)
        {
            return right.Constant == and ? left : right;
        }

        return new Condition(false, new LogicalEvaluator(left.Evaluator!, right.Evaluator!, and, BlockSize));
    }

    private Condition Lower(ComparisonNode node)
    {
        if (TryInterval(node) is { } interval)
        {
            return interval;
        }

        Number left = LowerNumber(node.Left), right = LowerNumber(node.Right);
        if (left.IsConstant && right.IsConstant)
        {
            return new Condition(Compare(node.Operator, left.Constant, right.Constant), null);
        }

        NumberEvaluator a = Materialize(left), b = Materialize(right);
        ConditionEvaluator evaluator = node.Operator switch
        {
            ComparisonOperator.Greater => new CompareEvaluator<GreaterOperator>(a, b, BlockSize),
            ComparisonOperator.GreaterEqual => new CompareEvaluator<GreaterEqualOperator>(a, b, BlockSize),
            ComparisonOperator.Less => new CompareEvaluator<LessOperator>(a, b, BlockSize),
            ComparisonOperator.LessEqual => new CompareEvaluator<LessEqualOperator>(a, b, BlockSize),
            ComparisonOperator.Equal => new CompareEvaluator<EqualOperator>(a, b, BlockSize),
            _ => new CompareEvaluator<NotEqualOperator>(a, b, BlockSize),
        };
        return new Condition(false, evaluator);
    }

    /// <summary>
    /// signal OP k, k OP signal and abs(signal) OP k on integer data with finite gains, as interval
    /// tests on the stored values. abs is split exactly: |v| &gt; k ⇔ v &gt; k ∨ v &lt; -k (negation is exact),
    /// and |v| == k ⇔ v == k ∨ v == -k when k ≥ 0 (never, for k &lt; 0).
    /// </summary>
    private Condition? TryInterval(ComparisonNode node)
    {
        if (!RawIntervals.TryGetRange(_target.ElementType, out _, out _) || (_target.Gains?.Any(g => !double.IsFinite(g)) ?? false))
        {
            return null;
        }

        ComparisonOperator op = node.Operator;
        FilterNode operand = node.Left, constant = node.Right;
        if (!IsConstant(constant))
        {
            (operand, constant) = (node.Right, node.Left);
            op = Flip(op);
            if (!IsConstant(constant))
            {
                return null;
            }
        }

        double k = LowerNumber(constant).Constant;
        if (operand is VariableNode direct && Is(direct, VariableSource.Signal))
        {
            return Interval(op, k);
        }

        if (operand is CallNode { Function: FilterFunction.Abs, Arguments: [VariableNode inner] } && Is(inner, VariableSource.Signal))
        {
            return op switch
            {
                ComparisonOperator.Greater => Logical(Interval(op, k), Interval(ComparisonOperator.Less, -k), and: false),
                ComparisonOperator.GreaterEqual => Logical(Interval(op, k), Interval(ComparisonOperator.LessEqual, -k), and: false),
                ComparisonOperator.Less => Logical(Interval(op, k), Interval(ComparisonOperator.Greater, -k), and: true),
                ComparisonOperator.LessEqual => Logical(Interval(op, k), Interval(ComparisonOperator.GreaterEqual, -k), and: true),
                // |v| never equals a negative k: the split below would wrongly accept v == k.
                ComparisonOperator.Equal => k < 0 ? new Condition(false, null) : Logical(Interval(op, k), Interval(op, -k), and: false),
                _ => k < 0 ? new Condition(true, null) : Logical(Interval(op, k), Interval(op, -k), and: true),
            };
        }

        return null;
    }

    private Condition Interval(ComparisonOperator op, double k)
    {
        RawIntervals.TryGetRange(_target.ElementType, out long min, out long max);
        bool complement = op == ComparisonOperator.NotEqual;
        ComparisonOperator solved = complement ? ComparisonOperator.Equal : op;
        var columns = new (long Lower, long Upper)[_target.ElementsPerSample];
        for (int c = 0; c < columns.Length; c++)
        {
            double gain = _target.Gains?[c] ?? 1.0;
            columns[c] = RawIntervals.Solve(solved, gain, k, min, max);
        }

        if (columns.All(c => c.Lower > c.Upper))
        {
            return new Condition(complement, null);
        }

        if (columns.All(c => c.Lower == min && c.Upper == max))
        {
            return new Condition(!complement, null);
        }

        ConditionEvaluator evaluator = _target.ElementType switch
        {
            SampleType.UInt8 => new IntervalEvaluator<byte>(columns, complement, BlockSize),
            SampleType.Int8 => new IntervalEvaluator<sbyte>(columns, complement, BlockSize),
            SampleType.Int16 => new IntervalEvaluator<short>(columns, complement, BlockSize),
            SampleType.UInt16 => new IntervalEvaluator<ushort>(columns, complement, BlockSize),
            SampleType.Int32 => new IntervalEvaluator<int>(columns, complement, BlockSize),
            _ => new IntervalEvaluator<uint>(columns, complement, BlockSize),
        };
        return new Condition(false, evaluator);
    }

    private Number LowerNumber(FilterNode node)
    {
        switch (node)
        {
            case NumberNode number:
                return new Number(number.Value, null);
            case VariableNode variable:
                return new Number(0, Variable(variable));
            case NegateNode negate:
                {
                    Number operand = LowerNumber(negate.Operand);
                    return operand.IsConstant ? new Number(-operand.Constant, null) : new Number(0, new NegateEvaluator(operand.Evaluator!, BlockSize));
                }

            case ArithmeticNode arithmetic:
                return Arithmetic(arithmetic.Operator, LowerNumber(arithmetic.Left), LowerNumber(arithmetic.Right));
            case CallNode { Function: FilterFunction.Abs } call:
                {
                    Number operand = LowerNumber(call.Arguments[0]);
                    return operand.IsConstant ? new Number(Math.Abs(operand.Constant), null) : new Number(0, new AbsEvaluator(operand.Evaluator!, BlockSize));
                }

            case CallNode call:
                {
                    // min/max of several arguments fold from the left, as Math.Min/Max would be applied.
                    Number result = LowerNumber(call.Arguments[0]);
                    for (int i = 1; i < call.Arguments.Count; i++)
                    {
                        result = MinMax(call.Function == FilterFunction.Min, result, LowerNumber(call.Arguments[i]));
                    }

                    return result;
                }

            default:
                throw new InvalidOperationException($"{node.GetType().Name} is not a number (the checker should have said so)");
        }
    }

    private static Number Arithmetic(ArithmeticOperator op, Number left, Number right)
    {
        if (left.IsConstant && right.IsConstant)
        {
            return new Number(
                op switch
                {
                    ArithmeticOperator.Add => AddOperator.Apply(left.Constant, right.Constant),
                    ArithmeticOperator.Subtract => SubtractOperator.Apply(left.Constant, right.Constant),
                    ArithmeticOperator.Multiply => MultiplyOperator.Apply(left.Constant, right.Constant),
                    _ => DivideOperator.Apply(left.Constant, right.Constant),
                },
                null);
        }

        NumberEvaluator a = Materialize(left), b = Materialize(right);
        NumberEvaluator evaluator = op switch
        {
            ArithmeticOperator.Add => new ArithmeticEvaluator<AddOperator>(a, b, BlockSize),
            ArithmeticOperator.Subtract => new ArithmeticEvaluator<SubtractOperator>(a, b, BlockSize),
            ArithmeticOperator.Multiply => new ArithmeticEvaluator<MultiplyOperator>(a, b, BlockSize),
            _ => new ArithmeticEvaluator<DivideOperator>(a, b, BlockSize),
        };
        return new Number(0, evaluator);
    }

    private static Number MinMax(bool min, Number left, Number right)
    {
        if (left.IsConstant && right.IsConstant)
        {
            return new Number(min ? MinOperator.Apply(left.Constant, right.Constant) : MaxOperator.Apply(left.Constant, right.Constant), null);
        }

        NumberEvaluator a = Materialize(left), b = Materialize(right);
        return new Number(0, min ? new ArithmeticEvaluator<MinOperator>(a, b, BlockSize) : new ArithmeticEvaluator<MaxOperator>(a, b, BlockSize));
    }

    /// <summary>The declared variable a checked name stands for, in the target's scope.</summary>
    private FilterVariable Resolve(VariableNode node) =>
        _target.Scope.Resolve(node.Name, node.Quoted) ?? throw new InvalidOperationException($"'{node.Name}' is not a variable of {_target.Scope.Name} (the checker should have said so)");

    private bool Is(VariableNode node, VariableSource source) => Resolve(node).Source == source;

    private NumberEvaluator Variable(VariableNode node)
    {
        FilterVariable variable = Resolve(node);
        return variable.Source switch
        {
            VariableSource.Signal => _signal ??= new SignalEvaluator(_target, BlockSize),
            VariableSource.Time => _time ??= new TimeEvaluator(BlockSize),
            VariableSource.PointComponent => new PointComponentEvaluator(_target, variable.Index, variable.Width, BlockSize),
            VariableSource.Column => _columns.TryGetValue(variable.Index, out ColumnEvaluator? column)
                ? column
                : _columns[variable.Index] = new ColumnEvaluator(_target, variable.Index, BlockSize),
            _ => _channel ??= new ChannelEvaluator(
                _target.ChannelIds ?? throw new FilterSyntaxException(_ruleText, 0, _ruleText.Length, "the rule reads 'channel', but this recording has no channel ids"),
                BlockSize),
        };
    }

    private static NumberEvaluator Materialize(Number number) =>
        number.Evaluator ?? new ConstantNumberEvaluator(number.Constant, BlockSize);

    private static bool Compare(ComparisonOperator op, double a, double b) => op switch
    {
        ComparisonOperator.Greater => GreaterOperator.Apply(a, b),
        ComparisonOperator.GreaterEqual => GreaterEqualOperator.Apply(a, b),
        ComparisonOperator.Less => LessOperator.Apply(a, b),
        ComparisonOperator.LessEqual => LessEqualOperator.Apply(a, b),
        ComparisonOperator.Equal => EqualOperator.Apply(a, b),
        _ => NotEqualOperator.Apply(a, b),
    };

    /// <summary>The operator with its operands swapped: k &gt; x is x &lt; k.</summary>
    private static ComparisonOperator Flip(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterEqual => ComparisonOperator.LessEqual,
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessEqual => ComparisonOperator.GreaterEqual,
        _ => op,
    };

    /// <summary>Whether <paramref name="node"/> reads no variable but those of <paramref name="variable"/>'s kind.</summary>
    private bool ReadsOnly(FilterNode node, VariableSource variable) => node switch
    {
        NumberNode => true,
        VariableNode v => Is(v, variable),
        NegateNode n => ReadsOnly(n.Operand, variable),
        NotNode n => ReadsOnly(n.Operand, variable),
        ArithmeticNode n => ReadsOnly(n.Left, variable) && ReadsOnly(n.Right, variable),
        ComparisonNode n => ReadsOnly(n.Left, variable) && ReadsOnly(n.Right, variable),
        LogicalNode n => ReadsOnly(n.Left, variable) && ReadsOnly(n.Right, variable),
        CallNode n => n.Arguments.All(a => ReadsOnly(a, variable)),
        _ => false,
    };

    /// <summary>A condition of one variable as a scalar function, with the kernels' scalar operations.</summary>
    private static Func<double, bool> ScalarCondition(FilterNode node)
    {
        switch (node)
        {
            case ComparisonNode c:
                {
                    Func<double, double> a = ScalarNumber(c.Left), b = ScalarNumber(c.Right);
                    return c.Operator switch
                    {
                        ComparisonOperator.Greater => x => GreaterOperator.Apply(a(x), b(x)),
                        ComparisonOperator.GreaterEqual => x => GreaterEqualOperator.Apply(a(x), b(x)),
                        ComparisonOperator.Less => x => LessOperator.Apply(a(x), b(x)),
                        ComparisonOperator.LessEqual => x => LessEqualOperator.Apply(a(x), b(x)),
                        ComparisonOperator.Equal => x => EqualOperator.Apply(a(x), b(x)),
                        _ => x => NotEqualOperator.Apply(a(x), b(x)),
                    };
                }

            case LogicalNode l:
                {
                    Func<double, bool> a = ScalarCondition(l.Left), b = ScalarCondition(l.Right);
                    return l.Operator == LogicalOperator.And ? x => a(x) && b(x) : x => a(x) || b(x);
                }

            case NotNode n:
                {
                    Func<double, bool> a = ScalarCondition(n.Operand);
                    return x => !a(x);
                }

            default:
                throw new InvalidOperationException($"{node.GetType().Name} is not a condition");
        }
    }

    private static Func<double, double> ScalarNumber(FilterNode node)
    {
        switch (node)
        {
            case NumberNode number:
                {
                    double value = number.Value;
                    return _ => value;
                }

            case VariableNode:
                return x => x;
            case NegateNode n:
                {
                    Func<double, double> a = ScalarNumber(n.Operand);
                    return x => -a(x);
                }

            case ArithmeticNode n:
                {
                    Func<double, double> a = ScalarNumber(n.Left), b = ScalarNumber(n.Right);
                    return n.Operator switch
                    {
                        ArithmeticOperator.Add => x => AddOperator.Apply(a(x), b(x)),
                        ArithmeticOperator.Subtract => x => SubtractOperator.Apply(a(x), b(x)),
                        ArithmeticOperator.Multiply => x => MultiplyOperator.Apply(a(x), b(x)),
                        _ => x => DivideOperator.Apply(a(x), b(x)),
                    };
                }

            case CallNode { Function: FilterFunction.Abs } call:
                {
                    Func<double, double> a = ScalarNumber(call.Arguments[0]);
                    return x => Math.Abs(a(x));
                }

            case CallNode call:
                {
                    Func<double, double> result = ScalarNumber(call.Arguments[0]);
                    bool min = call.Function == FilterFunction.Min;
                    for (int i = 1; i < call.Arguments.Count; i++)
                    {
                        Func<double, double> left = result, right = ScalarNumber(call.Arguments[i]);
                        result = min ? x => MinOperator.Apply(left(x), right(x)) : x => MaxOperator.Apply(left(x), right(x));
                    }

                    return result;
                }

            default:
                throw new InvalidOperationException($"{node.GetType().Name} is not a number");
        }
    }

    private static bool IsConstant(FilterNode node) => node switch
    {
        NumberNode => true,
        NegateNode n => IsConstant(n.Operand),
        NotNode n => IsConstant(n.Operand),
        ArithmeticNode n => IsConstant(n.Left) && IsConstant(n.Right),
        ComparisonNode n => IsConstant(n.Left) && IsConstant(n.Right),
        LogicalNode n => IsConstant(n.Left) && IsConstant(n.Right),
        CallNode n => n.Arguments.All(IsConstant),
        _ => false,
    };
}
