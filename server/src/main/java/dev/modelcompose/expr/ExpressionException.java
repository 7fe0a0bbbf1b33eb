package dev.modelcompose.expr;

/** A value that cannot be converted as an expression asks ({@code as image} on a number, invalid JSON...). */
public class ExpressionException extends RuntimeException {
    public ExpressionException(String message) {
        super(message);
    }

    public ExpressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
