@file:JvmName("SnowidExtensions")

package dev.snowid

/** The stable code of any snowid exception, e.g. `"NODE_IN_USE"` (Java: `e.errorCode()`). */
val SnowidException.code: String get() = errorCode()

/** The stable number of the code (Java: `e.errorNumber()`). */
val SnowidException.number: Int get() = errorNumber()

/** A node value of the parts by field name, e.g. `parts.node("worker")`. */
fun Parts.node(name: String): Long? = nodes.firstOrNull { it.name == name }?.value
