// Command org-member-remove is the Lambda function of the portal route "org-member-remove".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-member-remove") }
