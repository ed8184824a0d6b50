// Command app-certificate-issue is the Lambda function of the portal route "app-certificate-issue".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-certificate-issue") }
